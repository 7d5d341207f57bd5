from tracecheck.cli import main

main()
