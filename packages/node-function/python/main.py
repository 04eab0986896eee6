#!/usr/bin/env python3
"""Sample worker logic: ask a model server for a prediction and print it for the chain.

The worker runs this file for every inference request, exactly like this (`allocmd test` does the same offline):

  argv     main.py <topic_id> <block_height> <block_height_eval> <argument>
           the heights are "0" for a request sent by hand; <argument> is the topic's argument, e.g. ETH
  env      INFERENCE_API_ADDRESS (your model server), TOPIC_ID, ALLORA_ARG_PARAMS, and config.yaml's function_env;
           nothing else from the worker's environment
  stdout   exactly one JSON line: {"infererValue": "<decimal string>"}, e.g. {"infererValue": "2946.45"}
  failure  still one JSON line, {"error": "<what went wrong>"}, and a non-zero exit code
  stderr   free for your logs: it is kept apart from the result (print(..., file=sys.stderr))

Replace the body of predict() with your model call. Check your changes with `allocmd test`.
"""
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

INFERENCE_API_ADDRESS = os.environ.get("INFERENCE_API_ADDRESS", "http://127.0.0.1:8000").rstrip("/")
TIMEOUT_SECONDS = 5.0
DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")


def log(message):
    """Logs go to stderr: stdout is reserved for the one JSON line."""
    print(message, file=sys.stderr, flush=True)


def respond(payload, exit_code=0):
    print(json.dumps(payload), flush=True)
    sys.exit(exit_code)


# ---- REPLACE FROM HERE: your model ------------------------------------------------------------------------------
def predict(topic_id, argument):
    """Return this worker's prediction for `argument` (e.g. "ETH") as a plain decimal string such as "2946.45".

    The sample asks the inference server at INFERENCE_API_ADDRESS (GET /inference/<argument>, answering
    {"value": "<decimal>"}). Call your own model here instead: load it, query it, or ask your own server.
    Raise an exception on failure: it becomes {"error": ...} with exit code 1.
    """
    url = f"{INFERENCE_API_ADDRESS}/inference/{urllib.parse.quote(argument, safe='')}"
    log(f"topic {topic_id}: asking {url}")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as reply:
            body = json.loads(reply.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        raise RuntimeError(f"inference server answered HTTP {err.code} for {url}") from err
    except (urllib.error.URLError, OSError) as err:
        raise RuntimeError(f"cannot reach the inference server at {url}: {err}") from err
    except ValueError as err:
        raise RuntimeError(f"inference server at {url} did not answer JSON") from err
    value = body.get("value") if isinstance(body, dict) else None
    return str(value) if value is not None else ""
# ---- REPLACE UNTIL HERE ------------------------------------------------------------------------------------------


def main(argv):
    if len(argv) < 5:
        respond({"error": f"expected 4 arguments (topic_id block_height block_height_eval argument), got {len(argv) - 1}"}, 2)
    topic_id, _block_height, _block_height_eval, argument = argv[1:5]
    if not argument:
        respond({"error": "the argument is empty: send the topic's argument (ALLORA_ARG_PARAMS), e.g. ETH"}, 2)
    try:
        value = predict(topic_id, argument)
    except Exception as err:  # every failure still answers valid JSON
        respond({"error": f"{type(err).__name__}: {err}"}, 1)
    if not isinstance(value, str) or not DECIMAL.match(value):
        respond({"error": f"predict() returned {value!r}, not a plain decimal string such as '2946.45'"}, 1)
    respond({"infererValue": value})


if __name__ == "__main__":
    main(sys.argv)
