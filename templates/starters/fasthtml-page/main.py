"""A page built with FastHTML: HTML written as Python, interactivity via htmx.

Berth runs the ``app`` that ``fast_app()`` returns; do not call ``serve()``.
"""

from fasthtml.common import A, Button, Div, Li, P, Titled, Ul, fast_app

app, rt = fast_app()

IDEAS = ["Change this text", "Add a route", "Deploy again and watch the timeline"]


@rt("/")
def get():
    return Titled(
        "Hello from FastHTML",
        P("This page is Python all the way down."),
        Ul(*[Li(idea) for idea in IDEAS]),
        Button("Say hello", hx_get="/greeting", hx_target="#greeting"),
        Div(id="greeting"),
        P(A("FastHTML docs", href="https://fastht.ml/docs/")),
    )


@rt("/greeting")
def greeting():
    return P("Hello! This paragraph came from the server.")
