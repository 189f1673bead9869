"""Policy comparison on common random numbers: run the options, summarise, write and draw."""
