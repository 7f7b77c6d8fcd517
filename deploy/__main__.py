import sys

from deploy.launcher import main

sys.exit(main())
