// Progress events a run emits: written one per line to metrics.jsonl, streamed to the UI,
// and stored in SQLite. Plain JSON values only.

export type Stage = 1 | 2;

export interface StepEvent {
  type: 'step';
  stage: Stage;
  epoch: number; // 1-based
  step: number; // 1-based, global within the stage
  stepInEpoch: number; // 1-based
  stepsPerEpoch: number;
  totalSteps: number;
  loss: number;
  lr: number;
  ms: number; // wall time of this step
  etaSeconds: number; // for the remaining steps of this stage
  // stage 1
  ce?: number;
  lparam?: number;
  params?: number;
  soft?: number[];
  hard?: number[];
  // stage 2
  acc?: number; // training-batch accuracy
}

export interface EpochEvent {
  type: 'epoch';
  stage: Stage;
  epoch: number;
  epochs: number;
  seconds: number;
  trainLoss: number;
  trainAcc?: number;
  top1?: number | null;
  top5?: number | null;
  testLoss?: number;
  params?: number;
  hard?: number[];
  soft?: number[];
}

export interface StageEvent {
  type: 'stage';
  stage: Stage;
  status: 'start' | 'end';
  epochs: number;
  totalSteps: number;
  backend: string;
  params?: number;
  sizes?: number[];
}

export interface LogEvent {
  type: 'log';
  level: 'info' | 'warn';
  message: string;
}

export type TrainEvent = StepEvent | EpochEvent | StageEvent | LogEvent;
