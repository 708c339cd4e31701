# Writes the bytes of IN as a C array NAME (and NAME_size) into OUT.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" length)
math(EXPR size "${length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* Generated from ${IN}. */\n__attribute__((visibility(\"hidden\"))) const unsigned char ${NAME}[] = {${bytes}};\n__attribute__((visibility(\"hidden\"))) const unsigned long ${NAME}_size = ${size};\n")
