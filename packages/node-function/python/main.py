#!/usr/bin/env python3
"""Sample worker logic: ask the model server for a prediction and print it for the chain.

This is the file a worker operator replaces with their own model call. The contract (allocmd's):

  argv     main.py <topic_id> <block_height> <block_height_eval> <argument>
           block heights are "0" for a request sent by hand; <argument> is the topic's argument, e.g. ETH
  stdout   exactly one JSON line: {"infererValue": "<decimal string>"}
  failure  still one JSON line on stdout, {"error": "<what went wrong>"}, and a non-zero exit code
  stderr   free for logs; it is returned separately and never mixed into the result

The model server's address comes from INFERENCE_API_ADDRESS (the worker passes it with --function-env).
Only the Python standard library is used, so this runs wherever python3 does.
"""
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

INFERENCE_API_ADDRESS = os.environ.get("INFERENCE_API_ADDRESS", "http://127.0.0.1:8000").rstrip("/")
TIMEOUT_SECONDS = float(os.environ.get("INFERENCE_TIMEOUT_SECONDS", "5"))
DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")


def respond(payload, exit_code=0):
    print(json.dumps(payload), flush=True)
    sys.exit(exit_code)


def predict(token):
    """Replace this with your own model call. Return the prediction as a plain decimal string."""
    url = f"{INFERENCE_API_ADDRESS}/inference/{urllib.parse.quote(token, safe='')}"
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
    if not isinstance(value, str) or not DECIMAL.match(value):
        raise RuntimeError(f"inference server answered without a decimal 'value': {body!r}")
    return value


def main(argv):
    if len(argv) < 5:
        respond({"error": f"expected 4 arguments (topic_id block_height block_height_eval argument), got {len(argv) - 1}"}, 2)
    _topic_id, _block_height, _block_height_eval, argument = argv[1:5]
    if not argument:
        respond({"error": "the argument is empty: send the topic's argument (ALLORA_ARG_PARAMS), e.g. ETH"}, 2)
    try:
        value = predict(argument)
    except Exception as err:  # every failure still answers valid JSON
        respond({"error": str(err)}, 1)
    respond({"infererValue": value})


if __name__ == "__main__":
    main(sys.argv)
