from django.urls import path

from shinchoku.todo import views

app_name = "todo"
urlpatterns = [
    path("todo/", views.todo_page, name="page"),
]
