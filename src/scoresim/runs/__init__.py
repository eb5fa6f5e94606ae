"""The ``run``, ``validate`` and ``params`` commands (:mod:`.commands`)."""
