from django.urls import path

from . import views

urlpatterns = [
    path("j/", views.tree, name="tree"),
    path("j/<str:code>/", views.node, name="jurisdiction"),
    path("j/<str:code>/map.geojson", views.node_map, name="jurisdiction-map"),
    path("jurisdictions/<str:code>/grids.json", views.grid_layer, name="grid-layer"),
    path("g/<str:code>/", views.grid, name="grid"),
    path("g/<str:code>/map.geojson", views.grid_map, name="grid-map"),
]
