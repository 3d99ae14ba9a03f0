import { isSecret, type Secret } from '../lib/secret.js';

/** A SQL string literal (standard_conforming_strings on, the default since PostgreSQL 9.1). */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL string cannot contain a NUL byte');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL identifier; ours are validated names, quoting keeps it safe anyway. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface DatabaseGrant {
  readonly database: string;
  readonly user: string;
  readonly password: Secret;
  readonly extensions: readonly string[];
}

/**
 * Idempotent provisioning for psql: one role and one database per app, each with its own
 * password, set on every run so a rotated password reaches PostgreSQL (vpai-system L-P2, §9.8.16).
 * The superuser's password too: POSTGRES_PASSWORD is read only when the data folder is empty, so
 * after that a rotation reaches PostgreSQL only through ALTER ROLE (vpai-system §9 rotation).
 * Sent on stdin, never argv: it carries passwords.
 */
export function provisionSql(grants: readonly DatabaseGrant[], superuser?: { readonly user: string; readonly password: Secret }): string {
  const lines = ['\\set ON_ERROR_STOP on'];
  if (superuser !== undefined) lines.push(`ALTER ROLE ${sqlIdentifier(superuser.user)} WITH PASSWORD ${sqlLiteral(superuser.password.reveal())};`);
  for (const g of grants) {
    const role = sqlIdentifier(g.user);
    const db = sqlIdentifier(g.database);
    lines.push(
      `SELECT 'CREATE ROLE ${role.replace(/'/g, "''")} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${sqlLiteral(g.user)})\\gexec`,
      `ALTER ROLE ${role} WITH LOGIN PASSWORD ${sqlLiteral(isSecret(g.password) ? g.password.reveal() : String(g.password))};`,
      `SELECT 'CREATE DATABASE ${db.replace(/'/g, "''")} OWNER ${role.replace(/'/g, "''")}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${sqlLiteral(g.database)})\\gexec`,
      `ALTER DATABASE ${db} OWNER TO ${role};`,
      `REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`,
      `\\connect ${db}`,
      ...g.extensions.map((ext) => `CREATE EXTENSION IF NOT EXISTS ${sqlIdentifier(ext)};`),
      `ALTER SCHEMA public OWNER TO ${role};`,
      `\\connect postgres`,
    );
  }
  return `${lines.join('\n')}\n`;
}
