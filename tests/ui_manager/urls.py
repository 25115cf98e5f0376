"""The project's URLs, plus stand-ins for the finding list and report preview while
those pages are not yet wired, so the dashboard's links can be tested either way."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, path, reverse

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)


def _placeholder(request):
    return HttpResponse("")


for _name, _route in (("finding_list", "findings/"), ("report_preview", "reports/preview/")):
    try:
        reverse(_name, urlconf="config.urls")
    except NoReverseMatch:
        urlpatterns.append(path(f"__dashboard_test__/{_route}", _placeholder, name=_name))
