# Deploy check of one compose project: converged when every expected service runs healthy now
# (hlw_healthy_now) with the expected inputs, and nothing else runs. Prints one line per service
# that is not converged (the step has `checkReports`), so `plan` and `status` say which and why.
# The inputs label `homelab-wizard.inputs` is INPUTS_LABEL in src/render/compose.ts (a test checks).
# uses: health
#
#   $1  compose project
#   $2  expected services, one `svc=inputs` a line
running=$(docker ps --filter "label=com.docker.compose.project=$1" --format '{{.Label "com.docker.compose.service"}}={{.Label "homelab-wizard.inputs"}} {{.Status}}' 2>/dev/null) || { echo "docker ps failed: the containers could not be read"; exit 1; }
said=$(printf '%s\n' "$2" | while IFS= read -r want; do
  [ -n "$want" ] || continue
  svc=${want%%=*}
  mine=$(printf '%s\n' "$running" | while IFS= read -r l; do case "$l" in "$svc="*) printf '%s\n' "$l" ;; esac; done)
  line=$(printf '%s\n' "$mine" | grep -F -- "$want Up" | head -n 1)
  hlw_healthy_now "$1" "$svc" "$line" && continue
  case "$line" in
    *'(health: starting)'*) echo "$svc: starting, and its own health test fails" ;;
    '') case "$mine" in
          '') echo "$svc: not running: apply starts it" ;;
          "$want "*) echo "$svc: not up (${mine#* })" ;;
          *) echo "$svc: its compose definition (limits, ports, healthcheck, volumes, ...), image, env file or configs differ from what runs: apply recreates its container" ;;
        esac ;;
    *) echo "$svc: not healthy (${line#* })" ;;
  esac
done
printf '%s\n' "$running" | while IFS= read -r l; do
  [ -n "$l" ] || continue
  svc=${l%%=*}
  printf '%s\n' "$2" | grep -qx -- "$svc=.*" || echo "$svc: runs but is not in this release: removed by apply"
done)
n_run=$(printf '%s\n' "$running" | grep -c .)
n_want=$(printf '%s\n' "$2" | grep -c .)
[ -n "$said" ] || [ "$n_run" = "$n_want" ] || said="$n_run containers run for $n_want services: the extra ones are removed by apply"
[ -z "$said" ] && exit 0
printf '%s\n' "$said"
exit 1
