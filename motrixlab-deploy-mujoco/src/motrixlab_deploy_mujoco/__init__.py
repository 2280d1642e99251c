"""MotrixLab deploy target ``mujoco``: an exported policy, driven only by its file, in MuJoCo."""
