"""The baseline: a hello-world Flask app served the same way as Commonwright.

`GET /` for page loads; `PUT /ballot` takes a JSON body and answers a small JSON object, so
the ballot benchmark's client can send the same requests to both servers.
"""
from flask import Flask, request

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"


@app.put("/ballot")
def ballot():
    return {"received": len(request.get_json(silent=True) or {})}
