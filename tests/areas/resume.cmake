# Checkpoints and resuming interrupted runs.
nc_add_script_test(resume test_resume.py LABELS "integration;fault;mpi;tcp" TIMEOUT 600)
