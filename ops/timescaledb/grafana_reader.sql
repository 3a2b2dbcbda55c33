-- The read-only database role Grafana's datasource logs in with (SPEC §11).
--
-- Run with psql by 900_grafana_reader.sh from the TimescaleDB container's init scripts, after the
-- schema (sql/*.sql), as the database owner (POSTGRES_USER). The role's name and password come from
-- the environment (GRAFANA_DB_USER, GRAFANA_DB_PASSWORD; read with \getenv, so the password never
-- appears on a command line). Idempotent: running it again resets the password and the grants.
--
-- The role can read every table of the schema, and every table created later by the role running
-- this script (default privileges), and nothing else: no writes (no INSERT/UPDATE/DELETE/TRUNCATE
-- grants, and read-only transactions by default), no DDL. Grafana does not check what its users'
-- SQL does, so this role is the boundary.

\getenv reader GRAFANA_DB_USER
\getenv reader_password GRAFANA_DB_PASSWORD

-- Handed to the DO block below through session settings (psql variables do not reach into it);
-- the SELECT shows a count, never the values.
SELECT count(*) AS reader_settings
FROM (SELECT set_config('quant_signals.reader', :'reader', false),
             set_config('quant_signals.reader_password', :'reader_password', false)) AS applied;

DO $grafana_reader$
DECLARE
    reader   text := current_setting('quant_signals.reader');
    password text := current_setting('quant_signals.reader_password');
BEGIN
    IF reader = '' OR password = '' THEN
        RAISE EXCEPTION 'the Grafana reader role needs a name and a password (GRAFANA_DB_USER, GRAFANA_DB_PASSWORD)';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = reader) THEN
        EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', reader, password);
    ELSE
        EXECUTE format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', reader, password);
    END IF;
    EXECUTE format('ALTER ROLE %I SET default_transaction_read_only = on', reader);
    -- A runaway dashboard query must not hold the database.
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', reader, '60s');
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), reader);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', reader);
    -- On hypertables TimescaleDB passes the grant on to every chunk, compressed ones included.
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', reader);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO %I', reader);
END
$grafana_reader$;

-- Leave no copy of the password in this session's settings.
SELECT count(*) AS cleared FROM (SELECT set_config('quant_signals.reader_password', '', false)) AS cleared;
