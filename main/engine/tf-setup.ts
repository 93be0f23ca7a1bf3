// Side effects the engine needs before any training: every op's gradient (tfjs-core alone
// registers none; the @tensorflow/tfjs bundle registers them into the shared global
// registry) and the always-available cpu backend.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
