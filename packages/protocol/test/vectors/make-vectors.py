#!/usr/bin/env python3
"""Golden protobuf vectors for the chain messages, encoded by hand with Python's standard library only.

This encoder shares no code with @allora/protocol: it writes each field's tag and value from the field numbers in
docs/PROTOCOL.md, in field-number order, omitting proto3 defaults. `chain-vectors.json` is its output; the tests
compare the library's bytes against it and re-run this script to check the file is current.

Run: python3 make-vectors.py > chain-vectors.json
"""
import base64
import hashlib
import json


def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(no, wire):
    return varint((no << 3) | wire)


def f_int(no, n):
    return key(no, 0) + varint(n) if n else b""


def f_bool(no, v):
    return key(no, 0) + b"\x01" if v else b""


def f_bytes(no, b):
    return key(no, 2) + varint(len(b)) + b if b else b""


def f_str(no, s):
    return f_bytes(no, s.encode("utf-8"))


def f_msg(no, b):
    return key(no, 2) + varint(len(b)) + b


INFERER = "allo1w8fqfx0eqm8znqtzf3a9f9qmjys8gn0dk6n4v2"

nonce = f_int(1, 120)
inference = f_int(1, 1) + f_int(2, 120) + f_str(3, INFERER) + f_str(4, "2946.45")
forecast_element = f_str(1, INFERER) + f_str(2, "2950.1")
forecast = f_int(1, 1) + f_int(2, 120) + f_str(3, INFERER) + f_msg(4, forecast_element)
bundle = f_msg(1, inference)
bundle_with_forecast = f_msg(1, inference) + f_msg(2, forecast)
signature = bytes(range(64))
pubkey_hex = "02" + "11" * 32
worker_data_bundle = (
    f_str(1, INFERER) + f_msg(2, bundle) + f_bytes(3, signature) + f_str(4, pubkey_hex) + f_msg(5, nonce) + f_int(6, 1)
)
bulk = f_str(1, "allo1headsender") + f_msg(2, nonce) + f_int(3, 1) + f_msg(4, worker_data_bundle) + f_msg(4, worker_data_bundle)
register = f_str(1, INFERER) + f_str(2, "12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q") + f_str(
    3, "/ip4/127.0.0.1/tcp/9011"
) + f_int(4, 1) + f_str(5, INFERER) + f_bool(6, False)
create_topic = (
    f_str(1, INFERER)
    + f_str(2, "ETH 10s price")
    + f_str(3, "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm")
    + f_str(4, "allora-inference-function.wasm")
    + f_int(5, 5)
    + f_str(6, "ETH")
    + f_str(7, "mse")
    + f_int(8, 10)
    + f_int(9, 4)
)
negative_height_nonce = f_int(1, -1)


def cid_raw_sha256(data):
    mh = bytes([0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(bytes([0x01, 0x55]) + mh).decode().lower().rstrip("=")


vectors = {
    "note": "Produced by make-vectors.py (Python stdlib hand encoder, independent of the TypeScript library).",
    "inferer": INFERER,
    "messages": {
        "Nonce": nonce.hex(),
        "NonceNegative": negative_height_nonce.hex(),
        "Inference": inference.hex(),
        "Forecast": forecast.hex(),
        "InferenceForecastBundle": bundle.hex(),
        "InferenceForecastBundleWithForecast": bundle_with_forecast.hex(),
        "WorkerDataBundle": worker_data_bundle.hex(),
        "MsgInsertBulkWorkerPayload": bulk.hex(),
        "MsgRegister": register.hex(),
        "MsgCreateTopic": create_topic.hex(),
    },
    "cids": {
        "hello world": cid_raw_sha256(b"hello world"),
        "": cid_raw_sha256(b""),
    },
}
print(json.dumps(vectors, indent=2))
