#!/bin/sh
# The image's entry point: which process of the service to run.
#   api          the HTTP API (dist/apps/api)
#   projector    the projector worker (PROJECTIONS_MODE=worker)
#   cli ARGS…    the auditor and operator CLI (e.g. `cli status`, `cli verify --all`)
#   healthcheck  exits 0 when this container's API answers /health with the database reachable
set -eu
what="${1:-api}"
[ "$#" -gt 0 ] && shift
case "$what" in
  api) exec node /app/dist/apps/api/src/main.js "$@" ;;
  projector) exec node /app/dist/apps/projector/src/main.js "$@" ;;
  cli) exec node /app/dist/apps/cli/src/main.js "$@" ;;
  healthcheck)
    exec node -e '
      fetch(`http://127.0.0.1:${process.env.PORT || 3000}/health`)
        .then((r) => r.json())
        .then((h) => process.exit(h.db_ok === true ? 0 : 1))
        .catch(() => process.exit(1));
    ' ;;
  *)
    echo "usage: kobatela api | projector | cli <command> | healthcheck" >&2
    exit 2 ;;
esac
