"""The app's URLs plus /bench/hello/, for bench/scale.py only (see bench/scale_settings.py).

The hello view runs behind the same middleware as every page (session, sign-in, MFA)
and answers a few bytes without a query of its own: the yardstick of throughput.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("", include("config.urls")),
]
