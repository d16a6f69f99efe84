import { describe, expect, it } from 'vitest';
import {
  type CommandContext,
  checkPilotCommand,
  IllegalTransitionError,
  type PilotCommand,
  patrolStatus,
  SortieMachine,
  type SortieState,
} from '../../src/vehicle/index.js';

/** Runs `states` in order and returns the statuses a pilot saw (each once, as the patrol emits them). */
function run(machine: SortieMachine, states: SortieState[]): string[] {
  const seen = [patrolStatus(machine.state)];
  for (const state of states) {
    machine.to(state);
    if (seen.at(-1) !== patrolStatus(state)) seen.push(patrolStatus(state));
  }
  return seen;
}

/** The pilot's command against the machine's state, with nothing else going on unless given. */
function command(machine: SortieMachine, name: PilotCommand, more: Partial<CommandContext> = {}): void {
  checkPilotCommand(name, {
    state: machine.state,
    status: patrolStatus(machine.state),
    endingText: null,
    linkLost: false,
    airborne: true,
    modeName: 'AUTO',
    busy: null,
    ...more,
  });
}

const LAUNCH: SortieState[] = [
  'uploading',
  'waitingReady',
  'checks',
  'arming',
  'takingOff',
  'startingMission',
  'flying',
];

describe('SortieMachine', () => {
  it('a normal patrol: the launch in order, the mission, its own RTL item, landed', () => {
    const machine = new SortieMachine();
    expect(run(machine, [...LAUNCH, 'returning', 'landed'])).toEqual([
      'idle',
      'uploading',
      'checks',
      'arming',
      'taking off',
      'flying',
      'returning',
      'landed',
    ]);
    expect(machine.state).toBe('landed');
    expect(machine.visited('arming')).toBe(true);
    expect(machine.visited('adopting')).toBe(false);
  });

  it('pause then resume: each command taken only in its state', () => {
    const machine = new SortieMachine();
    run(machine, LAUNCH);
    expect(() => command(machine, 'resume')).toThrow(
      'cannot resume: the patrol is not paused (it is flying)',
    );
    command(machine, 'pause');
    machine.to('paused');
    expect(() => command(machine, 'pause')).toThrow('cannot pause: the patrol is already paused');
    command(machine, 'resume');
    machine.to('flying');
    command(machine, 'pause');
    expect(machine.state).toBe('flying');
  });

  it('abort from flying: home, then nothing more is taken; a battery swap is a new sortie', () => {
    const machine = new SortieMachine();
    run(machine, LAUNCH);
    command(machine, 'abort');
    const going = { endingText: 'aborted by the pilot', modeName: 'RTL' };
    machine.to('returning');
    expect(() => command(machine, 'abort', going)).toThrow(
      'cannot abort: the vehicle is already going home (aborted by the pilot)',
    );
    expect(() => command(machine, 'pause', going)).toThrow(
      'cannot pause: the vehicle is going home (aborted by the pilot)',
    );
    expect(() => command(machine, 'resume', going)).toThrow(
      'cannot resume: the patrol is not paused (it is returning)',
    );
    machine.to('aborted');
    for (const name of ['pause', 'resume', 'abort'] as const) {
      expect(() => command(machine, name)).toThrow(`cannot ${name}: the patrol is over (aborted)`);
    }
    // The rest of the patrol after a battery swap runs on a fresh machine; this one is done.
    expect(() => machine.to('uploading')).toThrow(IllegalTransitionError);
    const resumed = new SortieMachine();
    expect(run(resumed, [...LAUNCH, 'returning', 'landed']).at(-1)).toBe('landed');
  });

  it('abort before arming cancels the sortie; on the launch pause and resume wait for the mission', () => {
    const machine = new SortieMachine();
    expect(() => command(machine, 'abort')).toThrow('cannot abort: the patrol has not started');
    expect(() => command(machine, 'pause')).toThrow(
      'cannot pause while idle: the mission has not started yet',
    );
    run(machine, ['uploading', 'waitingReady', 'checks']);
    expect(() => command(machine, 'pause')).toThrow(
      'cannot pause while checks: the mission has not started yet',
    );
    command(machine, 'abort', { airborne: false });
    machine.to('aborted');
    expect(machine.visited('arming')).toBe(false);
  });

  it('adopting a flight in the air: straight to the state its mode says, followed to landing', () => {
    const machine = new SortieMachine();
    expect(run(machine, ['adopting', 'returning', 'landed'])).toEqual(['idle', 'returning', 'landed']);
    expect(machine.visited('adopting')).toBe(true);
  });

  it('refuses transitions off the table and stays where it was', () => {
    const refused: [SortieState[], SortieState][] = [
      [[], 'flying'],
      [[], 'landed'],
      [['uploading'], 'arming'],
      [['uploading', 'waitingReady', 'checks'], 'uploading'],
      [['uploading', 'waitingReady', 'checks'], 'flying'],
      [['adopting'], 'uploading'],
      [LAUNCH, 'takingOff'],
      [[...LAUNCH, 'landed'], 'flying'],
      [['failed'], 'idle'],
      [['uploading', 'detached'], 'aborted'],
    ];
    for (const [path, next] of refused) {
      const machine = new SortieMachine();
      run(machine, path);
      const before = machine.state;
      expect(() => machine.to(next), `${before} → ${next}`).toThrow(
        new RegExp(`^sortie: no transition from '${before}' to '${next}'`),
      );
      expect(machine.state).toBe(before);
    }
  });

  it('staying in a state is no transition', () => {
    const machine = new SortieMachine();
    run(machine, LAUNCH);
    expect(machine.to('flying')).toBe(false);
    expect(machine.to('paused')).toBe(true);
  });

  it('the link lost, the mission ending, a command in progress: one line each', () => {
    const machine = new SortieMachine();
    run(machine, LAUNCH);
    const noLink = 'no link to the vehicle (it follows its own failsafe)';
    expect(() => command(machine, 'pause', { linkLost: true })).toThrow(`cannot pause: ${noLink}`);
    expect(() => command(machine, 'abort', { linkLost: true })).toThrow(`cannot abort: ${noLink}`);
    // On the ground the link is not checked first: abort disarms or cancels the sortie.
    command(machine, 'abort', { linkLost: true, airborne: false });
    expect(() => command(machine, 'pause', { busy: 'resume' })).toThrow(
      'cannot pause: resume is still in progress',
    );
    command(machine, 'abort', { busy: 'pause' });
    machine.to('paused');
    expect(() => command(machine, 'resume', { endingText: 'battery at 19 %' })).toThrow(
      'cannot resume: the mission was ended (battery at 19 %)',
    );
    machine.to('landing');
    expect(() => command(machine, 'pause')).toThrow(
      "cannot pause: the vehicle is landing (the mission's end)",
    );
    expect(() => command(machine, 'abort', { modeName: 'LAND' })).toThrow(
      'cannot abort: the vehicle is already landing (mode LAND)',
    );
  });
});
