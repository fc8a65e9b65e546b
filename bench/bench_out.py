"""The bench scripts' output (guest.py, image_size.py): each figure is a
line on stdout and, with --save FILE, the same lines in FILE, which
bench/summary.py reads for `ninja bench`'s table."""
import os


def emit(lines, save=None):
    for line in lines:
        print(line)
    if save:
        os.makedirs(os.path.dirname(os.path.abspath(save)), exist_ok=True)
        with open(save, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
