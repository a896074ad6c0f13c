"""dwctl: operate a deployed dynamic-workflows dispatcher from a laptop (its admin API).

``DW_URL`` names the dispatcher (its admin hostname), ``DW_ADMIN_TOKEN`` its
``ADMIN_TOKEN`` secret. ``dwctl.client.AdminClient`` is the API; ``dwctl.code``
turns a tenant's folder into an upload; ``dwctl.commands`` holds the commands.
"""

__version__ = "0.1.0"
