"""The baseline: a hello-world Flask app served the same way as Commonwright."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
