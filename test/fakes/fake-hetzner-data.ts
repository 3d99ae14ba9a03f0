/** Static catalogue data of the fake Hetzner Cloud API (a stand-in), shaped as in apis.md §1.9–1.11. */
export const LOCATIONS = [
  { id: 1, name: 'fsn1', description: 'Falkenstein DC Park 1', country: 'DE', city: 'Falkenstein', latitude: 50.47612, longitude: 12.370071, network_zone: 'eu-central' },
  { id: 2, name: 'nbg1', description: 'Nuremberg DC Park 1', country: 'DE', city: 'Nuremberg', latitude: 49.452102, longitude: 11.076665, network_zone: 'eu-central' },
  { id: 3, name: 'hel1', description: 'Helsinki DC Park 1', country: 'FI', city: 'Helsinki', latitude: 60.169855, longitude: 24.938379, network_zone: 'eu-central' },
  { id: 4, name: 'ash', description: 'Ashburn, VA', country: 'US', city: 'Ashburn, VA', latitude: 39.0438, longitude: -77.4874, network_zone: 'us-east' },
  { id: 5, name: 'hil', description: 'Hillsboro, OR', country: 'US', city: 'Hillsboro, OR', latitude: 45.5229, longitude: -122.9898, network_zone: 'us-west' },
  { id: 6, name: 'sin', description: 'Singapore', country: 'SG', city: 'Singapore', latitude: 1.2839, longitude: 103.8607, network_zone: 'ap-southeast' },
] as const;

export type Location = (typeof LOCATIONS)[number];

const EU = ['fsn1', 'nbg1', 'hel1'];
const ALL = LOCATIONS.map((l) => l.name);

interface TypeSpec {
  id: number; name: string; cores: number; memory: number; disk: number; cpu_type: 'shared' | 'dedicated'; architecture: 'x86' | 'arm';
  category: string; monthly: string; where: readonly string[]; deprecated?: boolean;
}

const TYPES: TypeSpec[] = [
  { id: 104, name: 'cx22', cores: 2, memory: 4, disk: 40, cpu_type: 'shared', architecture: 'x86', category: 'cost_optimized', monthly: '3.7900000000', where: EU, deprecated: true },
  { id: 114, name: 'cx23', cores: 2, memory: 4, disk: 40, cpu_type: 'shared', architecture: 'x86', category: 'cost_optimized', monthly: '3.4900000000', where: EU },
  { id: 115, name: 'cx33', cores: 4, memory: 8, disk: 80, cpu_type: 'shared', architecture: 'x86', category: 'cost_optimized', monthly: '5.4900000000', where: EU },
  { id: 116, name: 'cx43', cores: 8, memory: 16, disk: 160, cpu_type: 'shared', architecture: 'x86', category: 'cost_optimized', monthly: '9.4900000000', where: EU },
  { id: 117, name: 'cx53', cores: 16, memory: 32, disk: 320, cpu_type: 'shared', architecture: 'x86', category: 'cost_optimized', monthly: '17.4900000000', where: EU },
  { id: 120, name: 'cpx22', cores: 2, memory: 4, disk: 80, cpu_type: 'shared', architecture: 'x86', category: 'regular_purpose', monthly: '7.9900000000', where: ALL },
  { id: 121, name: 'cpx32', cores: 4, memory: 8, disk: 160, cpu_type: 'shared', architecture: 'x86', category: 'regular_purpose', monthly: '13.9900000000', where: ALL },
  { id: 122, name: 'cpx42', cores: 8, memory: 16, disk: 320, cpu_type: 'shared', architecture: 'x86', category: 'regular_purpose', monthly: '25.4900000000', where: ALL },
  { id: 45, name: 'cax11', cores: 2, memory: 4, disk: 40, cpu_type: 'shared', architecture: 'arm', category: 'cost_optimized', monthly: '3.7900000000', where: EU },
  { id: 93, name: 'cax21', cores: 4, memory: 8, disk: 80, cpu_type: 'shared', architecture: 'arm', category: 'cost_optimized', monthly: '6.4900000000', where: EU },
  { id: 94, name: 'cax31', cores: 8, memory: 16, disk: 160, cpu_type: 'shared', architecture: 'arm', category: 'cost_optimized', monthly: '12.4900000000', where: EU },
  { id: 96, name: 'ccx13', cores: 2, memory: 8, disk: 80, cpu_type: 'dedicated', architecture: 'x86', category: 'general_purpose', monthly: '12.4900000000', where: ALL },
];

const DEPRECATION = { announced: '2025-10-16T06:00:00Z', unavailable_after: '2025-12-31T23:59:59Z' };

/** Gross = net × 1.19, as decimal strings with the precision the real API uses. */
function price(net: string): { net: string; gross: string } {
  return { net, gross: (Number(net) * 1.19).toFixed(16) };
}

export const SERVER_TYPES = TYPES.map((t) => ({
  id: t.id, name: t.name, description: t.name.toUpperCase(), category: t.category, cores: t.cores, memory: t.memory, disk: t.disk,
  storage_type: 'local', cpu_type: t.cpu_type, architecture: t.architecture, deprecated: t.deprecated === true,
  deprecation: t.deprecated ? DEPRECATION : null,
  prices: t.where.map((loc) => ({
    location: loc,
    price_hourly: price((Number(t.monthly) / 730).toFixed(10)),
    price_monthly: price(t.monthly),
    included_traffic: 21990232555520,
    price_per_tb_traffic: price('1.0000000000'),
  })),
  locations: t.where.map((loc) => {
    const l = LOCATIONS.find((x) => x.name === loc) as Location;
    return { id: l.id, name: l.name, deprecation: t.deprecated ? DEPRECATION : null, available: !t.deprecated, recommended: !t.deprecated && loc === 'fsn1' };
  }),
}));

export type ServerType = (typeof SERVER_TYPES)[number];

const IMAGE_SPECS = [
  { name: 'debian-12', flavor: 'debian', version: '12', description: 'Debian 12', x86: 114690387, arm: 114690389, created: '2023-06-13T06:00:00Z' },
  { name: 'debian-13', flavor: 'debian', version: '13', description: 'Debian 13', x86: 310554929, arm: 310554930, created: '2025-08-18T06:15:25Z' },
  { name: 'ubuntu-22.04', flavor: 'ubuntu', version: '22.04', description: 'Ubuntu 22.04', x86: 67794396, arm: 103907373, created: '2022-04-21T13:32:38Z' },
  { name: 'ubuntu-24.04', flavor: 'ubuntu', version: '24.04', description: 'Ubuntu 24.04', x86: 161547269, arm: 161547270, created: '2024-04-25T13:20:49Z' },
];

export const IMAGES = IMAGE_SPECS.flatMap((spec) =>
  (['x86', 'arm'] as const).map((architecture) => ({
    id: spec[architecture], type: 'system', status: 'available', name: spec.name, description: spec.description, image_size: null, disk_size: 5,
    created: spec.created, created_from: null, bound_to: null, os_flavor: spec.flavor, os_version: spec.version, rapid_deploy: true,
    protection: { delete: false }, deprecated: null, deleted: null, labels: {}, architecture,
  })),
);

export type Image = (typeof IMAGES)[number];
