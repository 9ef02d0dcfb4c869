// Module IDVRunner.
