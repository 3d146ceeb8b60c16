from django.urls import path

from tenure.engagement import views

app_name = "engagement"

urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/complete/", views.task_complete_view, name="task_complete"),
    path("tasks/<int:task_id>/reassign/", views.task_reassign_view, name="task_reassign"),
    path("plan/", views.plan_edit, name="plan"),
    path("customers/<int:customer_id>/team/", views.customer_team, name="customer_team"),
    path("customers/<int:customer_id>/next-task/", views.customer_next_task, name="customer_next_task"),
]
