"""Comments pages."""
from flask import Blueprint

bp = Blueprint("comments", __name__)
