"""`python -m bot` starts the bot."""

import sys

from bot.app import main

sys.exit(main())
