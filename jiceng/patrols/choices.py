"""The fixed numbers of a grid worker's day."""

# 两巡: a grid worker patrols their grids twice a day; the home page counts today's logs
# against this.
PATROLS_A_DAY = 2
# Cases a patrol log may link: those the worker saw in the last two days.
LINKABLE_DAYS = 2
