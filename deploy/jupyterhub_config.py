"""JupyterHub for a class on one server: every student gets JupyterLab from this project's
environment, opening on the tour (or the classroom dashboard as a Voilà app).

Run from the environment where the project is installed (``pip install -e '.[voila]'
jupyterhub jupyterhub-idle-culler``, ``npm install -g configurable-http-proxy``)::

    jupyterhub -f deploy/jupyterhub_config.py

Settings by environment variable (defaults in brackets); deploy/README.md says more:

- ``MICROGPT_HUB_LANDING``: ``tour`` [tour] opens lesson 00 in JupyterLab, ``dashboard`` the
  classroom dashboard as a Voilà app (no code shown);
- ``MICROGPT_HUB_IP`` / ``MICROGPT_HUB_PORT``: where students connect [0.0.0.0 / 8000];
- ``MICROGPT_HUB_MEM``: memory limit per student [1G] (enforced by spawners with cgroups:
  SystemdSpawner, DockerSpawner, KubeSpawner; LocalProcessSpawner only reports it);
- ``MICROGPT_HUB_IDLE``: seconds before an idle student's server is stopped [3600];
- ``MICROGPT_HUB_KERNEL_IDLE``: seconds before a kernel without an open tab is stopped [600].

Authentication is JupyterHub's default (system users, PAM); give the class accounts, or set
another authenticator (e.g. ``c.JupyterHub.authenticator_class = "nativeauthenticator"``).
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub defines it when it loads this file

REPO = Path(__file__).resolve().parents[1]
ENV_BIN = Path(sys.executable).parent  # the environment the hub runs in: the project's
LANDING = {
    "tour": "/lab/tree/00_tour.ipynb",
    "dashboard": "/voila/render/classroom_dashboard.ipynb",
}
landing = os.environ.get("MICROGPT_HUB_LANDING", "tour")
if landing not in LANDING:
    raise SystemExit(f"MICROGPT_HUB_LANDING must be one of {', '.join(LANDING)}, not {landing!r}")

c.JupyterHub.ip = os.environ.get("MICROGPT_HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(os.environ.get("MICROGPT_HUB_PORT", "8000"))

# -- the single-user server: this project's environment, its notebooks ----------------------
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
# Students open the repository's notebooks (the lessons and the dashboard); each student's
# kernels read the shipped model inside the package. Files the students may not write stay
# read-only to them: they run and change the lessons, and save copies under their home.
c.Spawner.notebook_dir = str(REPO / "notebooks")
c.Spawner.default_url = LANDING[landing]
c.Spawner.environment = {"PATH": f"{ENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
c.Spawner.mem_limit = os.environ.get("MICROGPT_HUB_MEM", "1G")
# A student's server starts in 3-10 s alone, more when the whole class logs in at once.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
kernel_idle = int(os.environ.get("MICROGPT_HUB_KERNEL_IDLE", "600"))
c.Spawner.args = [
    # Kernels without a tab (a closed tab, a Voilà page left) are stopped once idle; an open
    # tab keeps its kernel. Each kernel holds 140-210 MB.
    f"--MappingKernelManager.cull_idle_timeout={kernel_idle}",
    f"--MappingKernelManager.cull_interval={max(10, min(120, kernel_idle // 4))}",
    "--MappingKernelManager.cull_connected=False",
    # Voilà's default (4 s) drops the dashboard's output when many pages open at once.
    "--VoilaExecutor.iopub_timeout=60",
]

# -- idle students: jupyterhub-idle-culler as a hub service ----------------------------------
idle = int(os.environ.get("MICROGPT_HUB_IDLE", "3600"))
culler = shutil.which("jupyterhub-idle-culler", path=str(ENV_BIN)) or shutil.which(
    "jupyterhub-idle-culler"
)
if culler:
    c.JupyterHub.services = [
        {"name": "idle-culler", "command": [culler, f"--timeout={idle}", "--cull-every=60"]}
    ]
    c.JupyterHub.load_roles = [
        {
            "name": "idle-culler",
            "services": ["idle-culler"],
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        }
    ]
else:  # the hub still runs; nothing stops idle servers (pip install jupyterhub-idle-culler)
    print("jupyterhub_config: jupyterhub-idle-culler is not installed: idle servers stay up")
