"""``scoresim dashboard``: an interactive page (Solara, as Mesa's own visualisation) to pick
and edit a scenario, run it, and compare runs. The page is :mod:`.app`, what it does is
:mod:`.logic`, the command is :mod:`.commands`."""
