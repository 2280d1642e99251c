"""Statics of a standing robot: the joint torques that hold a pose, for writing a ``RobotDescription``.

The feet carry the weight in the least-norm split that balances it about the centre of mass (the
split of a rigid, symmetric stance); each joint then holds the moment of its foot's vertical load
about its axis. The tests compare every description's ``standing_torque`` with this.

Point feet of light legs (the quadrupeds) need nothing more. Flat feet of heavy legs (a humanoid)
take ``cop_under_com``: each sole's centre of pressure sits under the robot's centre of mass along x,
where a standing robot's ground reaction must act; and ``leg_weight``: each joint also holds the
weight of the links below it.
"""

from __future__ import annotations

import numpy as np

from motrixlab_envs_locomotion.description import RobotDescription

GRAVITY = 9.81


def standing_torque(robot: RobotDescription, *, cop_under_com: bool = False, leg_weight: bool = False) -> np.ndarray:
    """Torques (per joint, N·m) the actuators must apply to hold ``robot.standing_pose`` on level ground."""
    import motrixsim as mx

    model = mx.load_model(robot.model_file)
    data = mx.SceneData(model)
    pos = np.zeros(model.num_dof_pos, np.float32)
    pos[2], pos[6] = 1.0, 1.0  # trunk raised, identity rotation (x, y, z, w)
    pos[7:] = robot.standing_pose
    data.reset(model, dof_pos=pos, dof_vel=np.zeros(model.num_dof_vel, np.float32), forward_kinematic=True)
    links = [model.links[i] for i in range(len(model.links))]
    mass = np.array([link.mass for link in links])
    com = np.array(
        [link.get_position(data) + link.get_rotation_mat(data) @ np.asarray(link.center_of_mass) for link in links]
    )
    centre = (mass[:, None] * com).sum(axis=0) / mass.sum()
    geoms = {g.name: g for g in model.geoms}
    feet = np.array([np.asarray(geoms[name].get_pose(data))[:3] for name in robot.feet])
    # loads f (per foot): sum f = W, sum f x = W cx, sum f y = W cy; least-norm solution
    weight = mass.sum() * GRAVITY
    a = np.stack([np.ones(len(feet)), feet[:, 0], feet[:, 1]])
    loads = np.linalg.lstsq(a, weight * np.array([1.0, centre[0], centre[1]]), rcond=None)[0]
    if cop_under_com:
        feet[:, 0] = centre[0]
    index = {link.name: i for i, link in enumerate(links)}
    torque = np.zeros(robot.num_joints)
    for j, name in enumerate(robot.joints):
        joint = model.get_joint(name)
        link = model.links[joint.link_index]
        anchor, axis = link.get_position(data), link.get_rotation_mat(data) @ np.asarray(joint.axis)
        foot = _foot_below(model, link, robot.feet, geoms)
        lever = feet[foot] - anchor
        force = np.array([0.0, 0.0, loads[foot]])
        moment = np.cross(lever, force)
        if leg_weight:
            for i in (index[sub.name] for sub in _subtree(link)):
                moment += np.cross(com[i] - anchor, np.array([0.0, 0.0, -mass[i] * GRAVITY]))
        torque[j] = -axis @ moment  # the actuator cancels the external loads' moment
    return torque


def _subtree(link) -> list:
    """``link`` and every link below it."""
    out, todo = [], [link]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(current.children)
    return out


def _foot_below(model, link, feet: tuple[str, ...], geoms) -> int:
    """Index in ``feet`` of the foot geom in the subtree of ``link``."""
    todo = [link]
    while todo:
        current = todo.pop()
        for g in current.geoms:
            if g.name in feet:
                return feet.index(g.name)
        todo.extend(current.children)
    raise ValueError(f"no foot below link {link.name!r}")
