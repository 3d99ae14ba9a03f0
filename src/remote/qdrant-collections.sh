# Qdrant's collections through Qdrant's own HTTP API, run INSIDE the Qdrant container: the image
# has bash but neither curl nor wget, so the requests are raw HTTP over bash's /dev/tcp (as vpai's
# docker-stack role did). The API key is the container's own QDRANT__SERVICE__API_KEY (from the
# 0600 env file): it never leaves the container and is never in any argv (printf is a bash builtin).
#
#   $1  Qdrant's HTTP port (6333)
#   $2  check | apply
#   $3… one a collection: NAME:DIMENSIONS:DISTANCE (names are [A-Za-z0-9_.-], checked by the profile)
#
# check: exit 0 when every collection exists with its dimensions and distance (prints them);
#   else exit 1 and one line per collection that is missing or different.
# apply: PUT /collections/NAME for the missing ones. A collection that exists with other dimensions
#   or another distance is exit 2, naming it and what to do, before anything is created: this
#   never deletes or changes a collection (its points would be lost).
# exit 3: no bash in the container; exit 4: Qdrant did not answer, or refused (API key, error).
command -v bash >/dev/null 2>&1 || { echo 'no bash in the Qdrant container: cannot reach its API from inside'; exit 3; }
# --norc: bash reads ~/.bashrc when its stdin is a socket (as under docker exec or ssh); nothing of it is wanted.
exec bash --norc --noprofile -c '
port=$1; mode=$2; shift 2
key=${QDRANT__SERVICE__API_KEY-}
cr=$(printf "\r")
# req METHOD PATH [BODY]: sets code (the HTTP status) and body.
req() {
  local line head=1
  code=""; body=""
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  {
    printf "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n" "$1" "$2"
    [ -z "$key" ] || printf "api-key: %s\r\n" "$key"
    if [ -n "${3-}" ]; then printf "Content-Type: application/json\r\nContent-Length: %s\r\n\r\n%s" "${#3}" "$3"; else printf "\r\n"; fi
  } >&3
  while IFS= read -r -t 15 line <&3 || [ -n "$line" ]; do
    line=${line%"$cr"}
    if [ -z "$code" ]; then code=${line#* }; code=${code%% *}
    elif [ "$head" = 1 ]; then [ -n "$line" ] || head=0
    else body+=$line; fi
    line=""
  done
  exec 3<&-
  [ -n "$code" ]
}
# What Qdrant said went wrong: status.error of its JSON answer, or the plain text of a 401.
why() { if [[ $body =~ \"error\":\"([^\"]*)\" ]]; then printf "%s" "${BASH_REMATCH[1]}"; else printf "%s" "${body:0:200}"; fi; }
ok=(); missing=(); other=()
for spec in "$@"; do
  name=${spec%%:*}; rest=${spec#*:}; size=${rest%%:*}; dist=${rest#*:}
  req GET "/collections/$name" || { echo "Qdrant does not answer on 127.0.0.1:$port inside its container" >&2; exit 4; }
  case $code in
    200)
      flat=${body//[[:space:]]/}
      if [[ $flat =~ \"vectors\":\{\"size\":([0-9]+),\"distance\":\"([A-Za-z]+)\" ]]; then have="${BASH_REMATCH[1]} dimensions, ${BASH_REMATCH[2]}"
      else have="named or several vectors"; fi
      if [ "$have" = "$size dimensions, $dist" ]; then ok+=("$name ($size, $dist)")
      else other+=("$name: exists with $have; the profile wants $size dimensions, $dist"); fi ;;
    404) missing+=("$spec") ;;
    401|403) echo "Qdrant refused the request for collection $name ($code: $(why)): the API key in its environment is not the one it runs with" >&2; exit 4 ;;
    *) echo "GET /collections/$name: Qdrant answered $code: $(why)" >&2; exit 4 ;;
  esac
done
if [ "$mode" = check ]; then
  for m in "${missing[@]}"; do n=${m%%:*}; r=${m#*:}; echo "$n: missing (wanted ${r%%:*} dimensions, ${r#*:})"; done
  for o in "${other[@]}"; do echo "$o"; done
  [ ${#missing[@]} -eq 0 ] && [ ${#other[@]} -eq 0 ] || exit 1
  echo "present: ${ok[*]}"
  exit 0
fi
if [ ${#other[@]} -gt 0 ]; then
  for o in "${other[@]}"; do echo "$o" >&2; done
  echo "homelab-wizard never changes or deletes a collection (its points would be lost): set qdrant.collections in the profile to what exists, or delete the collection yourself (DELETE /collections/NAME) and apply again" >&2
  exit 2
fi
for m in "${missing[@]}"; do
  name=${m%%:*}; rest=${m#*:}; size=${rest%%:*}; dist=${rest#*:}
  req PUT "/collections/$name" "{\"vectors\":{\"size\":$size,\"distance\":\"$dist\"}}" || { echo "Qdrant does not answer on 127.0.0.1:$port inside its container" >&2; exit 4; }
  [ "$code" = 200 ] || { echo "PUT /collections/$name: Qdrant answered $code: $(why)" >&2; exit 4; }
  echo "created $name ($size dimensions, $dist)"
done
' qdrant-collections "$@"
