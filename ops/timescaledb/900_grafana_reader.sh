#!/usr/bin/env bash
# TimescaleDB init script (mounted into /docker-entrypoint-initdb.d/ by docker-compose.yml): runs
# once, on the first start with an empty data volume, after the schema (sql/*.sql). Creates the
# read-only role Grafana's provisioned datasource uses; the SQL is in grafana_reader.sql.
#
# The postgres image's entrypoint runs this file (or sources it, if it is not executable) with
# POSTGRES_USER and POSTGRES_DB set, while the server listens on its local socket only. So: no
# `exit` and no `set` here, which would leak into the entrypoint's own shell when sourced.

: "${GRAFANA_DB_USER:?GRAFANA_DB_USER is not set}" "${GRAFANA_DB_PASSWORD:?GRAFANA_DB_PASSWORD is not set}"
psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --output=/dev/null \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -f /opt/quant-signals/grafana_reader.sql
echo "quant-signals: read-only role '$GRAFANA_DB_USER' for Grafana is ready"
