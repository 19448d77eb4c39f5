from django.urls import path

from regulator.workbench import views

app_name = "bulletins"

urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("<int:issue>/", views.bulletin_html, name="issue"),
    path("<int:issue>.pdf", views.bulletin_pdf_view, name="pdf"),
]
