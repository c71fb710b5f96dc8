"""Template context for the web shell: navigation filtered by what the user may use."""


def shell(request):
    from .nav import navigation_for

    return {"nav_items": navigation_for(request)}
