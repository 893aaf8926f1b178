"""Amendments pages."""
from flask import Blueprint

bp = Blueprint("amendments", __name__)
