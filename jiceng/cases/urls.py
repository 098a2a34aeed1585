from django.urls import path

from . import transfer_views, views

urlpatterns = [
    path("cases/", views.queue, name="case-queue"),
    path("cases/new/", views.new_case, name="case-new"),
    path("cases/export.xlsx", views.export, name="case-export"),
    # Before `cases/<str:number>/`, which would take these words for case numbers.
    path("cases/dispatch/", views.bulk_dispatch, name="case-bulk-dispatch"),
    path("cases/filters/", views.save_filter, name="case-filter-save"),
    path("cases/filters/<int:filter_id>/delete/", views.delete_filter, name="case-filter-delete"),
    path("transfer/", transfer_views.transfer, name="transfer"),
    path("transfer/categories.xlsx", transfer_views.categories_export, name="transfer-categories"),
    path("transfer/grids/<str:code>.geojson", transfer_views.grids_export, name="transfer-grids"),
    path("cases/<str:number>/", views.detail, name="case"),
    path("cases/<str:number>/map.geojson", views.case_map, name="case-map"),
    path("cases/<str:number>/photos/<int:id>/", views.photo, name="case-photo"),
    path("cases/<str:number>/act/<str:action>/", views.act, name="case-act"),
    path("inbox/", views.inbox, name="inbox"),
]
