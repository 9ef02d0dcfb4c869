print("idv-sandbox")
