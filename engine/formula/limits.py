"""Hard limits that keep a hostile or careless plan from hurting the server.

Each limit is checked before the expensive work it protects (length before parsing, depth before
building the AST, exponent before evaluating), so rejection is always fast.
"""

MAX_EXPR_CHARS = 4_000  # one step expression or condition
MAX_DEPTH = 100  # nesting of the parsed expression tree (a chain a + b + … adds one level per operator)
MAX_STEPS = 200  # steps in one plan
MAX_INPUTS = 500  # declared inputs plus fund inputs
MAX_EXPONENT = 16  # |n| in a ^ n
MAX_STRING_CHARS = 200  # a "text" literal
MAX_FUNCTION_ARGS = 32  # min(...)/max(...) arguments
