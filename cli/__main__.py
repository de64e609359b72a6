"""`python -m microtvm_project_api.cli`, the same as the `microtvm-project` console script."""

import sys

from microtvm_project_api.cli.main import main

sys.exit(main())
