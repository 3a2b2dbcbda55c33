#!/usr/bin/env bash
# The compose stack's one-shot job submitter: submit-job.sh JAR [JOB OPTIONS...]
#
# Runs `flink run -d JAR [JOB OPTIONS...]` against the JobManager named by the Flink configuration
# (rest.address), with two operator safeguards:
#   * a job named quant-signals that is already RUNNING is not submitted a second time (so
#     `docker compose up -d` can be repeated);
#   * when a retained checkpoint exists (the cluster keeps them on cancellation, see
#     docker-compose.yml), the job resumes from the newest one, so strategy state (SMA windows,
#     positions, open bars) and Kafka offsets survive a `docker compose down`/`up`. Set
#     RESUME_FROM_CHECKPOINT=false to start afresh (the job then starts from the Kafka consumer
#     group's committed offsets).
#
# Environment: CHECKPOINT_DIR (default /opt/flink/checkpoints), RESUME_FROM_CHECKPOINT (default
# true), JOB_NAME (default quant-signals), FLINK (default flink). The job's own settings (database,
# Kafka, kill-switch folder, the database password) come from the options and the environment, as
# for `flink run` anywhere (README, "The Flink job").
set -euo pipefail

if [ "$#" -lt 1 ]; then
    echo "usage: submit-job.sh JAR [JOB OPTIONS...]" >&2
    exit 2
fi
jar=$1
shift
if [ ! -f "$jar" ]; then
    echo "submit-job: $jar not found; build it first: mvn -q package -DskipTests" >&2
    exit 1
fi

flink=${FLINK:-flink}
job_name=${JOB_NAME:-quant-signals}
checkpoint_dir=${CHECKPOINT_DIR:-/opt/flink/checkpoints}

# `flink list -r` prints one line per running job: "<date> <time> : <job id> : <name> (RUNNING)".
running=$("$flink" list -r 2>/dev/null || true)
if printf '%s\n' "$running" | grep -q " : ${job_name} (RUNNING)\$"; then
    echo "submit-job: ${job_name} is already running; nothing to submit"
    exit 0
fi

resume=()
if [ "${RESUME_FROM_CHECKPOINT:-true}" = "true" ]; then
    # A checkpoint is complete once its _metadata file exists; take the newest complete one.
    latest=$(ls -1t "$checkpoint_dir"/*/chk-*/_metadata 2>/dev/null | head -n 1 || true)
    if [ -n "$latest" ]; then
        resume=(--fromSavepoint "$(dirname "$latest")")
        echo "submit-job: resuming ${job_name} from checkpoint $(dirname "$latest")"
    fi
fi

echo "submit-job: submitting ${job_name} ($jar)"
exec "$flink" run -d "${resume[@]}" "$jar" "$@"
