# What a person watching a job sees: progress, summary, log files.
nc_add_script_test(progress test_progress.py LABELS "integration;mpi" TIMEOUT 600)
