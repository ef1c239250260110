# One image for the Rasa server and the action server of the BTS MOS assistant; compose.yaml runs it as
# rasa-1, rasa-2, actions-1, actions-2 and purge. It is built on a school's server, never in this
# project's CI (its machines have no Docker daemon); tests/deploy/test_deploy_files.py keeps this file in
# step with the repository.

# Rasa 3.6.21 supports Python 3.10 only (scripts/find_python.sh); Debian bookworm, like the dev machines.
FROM python:3.10-slim-bookworm

# The settings the Makefile exports: TensorFlow's start-up noise off, no telemetry leaving a school's
# server, SQLAlchemy 1.4's 2.0 warning silenced, and a fixed hash seed so that training is reproducible.
# The virtualenv lives outside the source tree so that the Makefile can use it (VENV=/opt/venv) and
# COPY . . cannot overwrite it; its bin/ first on the PATH gives `rasa` and `python` to every command.
ENV TF_CPP_MIN_LOG_LEVEL=2 \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    PYTHONHASHSEED=0 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# make: the knowledge base and the model are built by the Makefile's own targets, as on a dev machine.
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The pinned dependencies alone first: this slow layer is rebuilt only when the pins change, not at every
# edit of the source. Same pip and same pins as `make install`.
COPY requirements.txt constraints.txt ./
RUN python -m venv /opt/venv \
    && pip install "pip==24.0" \
    && pip install -r requirements.txt -c constraints.txt \
    && pip check

COPY . .

# The image carries its model: `make install` finds every pin already satisfied (nothing is downloaded)
# and records its stamp, `make kb` builds the knowledge base, the generated NLU data and responses and
# the search index, `make train` trains into models/. Rasa's training cache (.rasa/) is of no use at run
# time and only makes the image bigger.
RUN make install kb train VENV=/opt/venv \
    && rm -rf .rasa

# The servers never write to /app: the code, knowledge base and model stay owned by root, read-only for
# the account that runs them. Conversations go to PostgreSQL, logs to stdout.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin assistant
USER assistant

# 5005: Rasa (channels /webhooks/… and /socket.io/); 5055: the action server. compose.yaml publishes
# neither: nginx alone is reachable from outside.
EXPOSE 5005 5055

# The Rasa server, as compose.yaml's rasa services run it (the action server and the purge override the
# command). endpoints.yml's ${VARIABLES} must come from the environment: compose.yaml sets them all. No
# --enable-api: only the channels and the health routes are served.
CMD ["rasa", "run", "--model", "models", "--port", "5005", "--interface", "0.0.0.0", \
     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
