import SonoCodecs
print("placeholder")
