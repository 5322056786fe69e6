from rag.app.cli import main

if __name__ == "__main__":  # not when a worker process (rag/app/workers.py) imports the parent's main module
    raise SystemExit(main())
