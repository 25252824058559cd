#!/bin/sh
# Run once by the postgres image when its data volume is new: the two roles of README
# "Database roles" (the owner applies migrations and owns the event store; the service role is
# what the API, projector and CLI connect as) and the database, owned by the owner.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$KOBATELA_OWNER_PASSWORD" -v service_password="$KOBATELA_SERVICE_PASSWORD" <<'SQL'
CREATE ROLE kobatela_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE kobatela_service LOGIN PASSWORD :'service_password';
GRANT kobatela_service TO kobatela_owner;
CREATE DATABASE kobatela OWNER kobatela_owner;
GRANT pg_read_all_stats TO kobatela_service;
SQL
