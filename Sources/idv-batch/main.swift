print("idv-batch")
