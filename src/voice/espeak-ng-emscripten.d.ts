/**
 * The part of @echogarden/espeak-ng-emscripten (eSpeak NG compiled with Emscripten; the package
 * ships no types) that src/voice/speech-worker.ts uses: espeakng.js's `eSpeakNGWorker` binding of
 * the eSpeak NG library (espeak_SetVoiceByName, espeak_Synth with a synchronous callback).
 * @see https://github.com/echogarden-project/espeak-ng/blob/fork/emscripten/espeakng_glue.cpp
 */
declare module '@echogarden/espeak-ng-emscripten' {
  export interface ESpeakNGWorker {
    /** Words per minute (espeakRATE), applied at the next synthesis. */
    rate: number;
    /**
     * With a name only, espeak_SetVoiceByName (`en-us`, `en-us+f3`); with a language too,
     * espeak_SetVoiceByProperties (`en-gb`, `en-gb+f3`). 0 when a voice was found.
     */
    set_voice(name: string, language?: string, gender?: number, age?: number, variant?: number): number;
    get_samplerate(): number;
    /**
     * espeak_Synth of `text` (UTF-8, with espeakSSML | espeakPHONEMES set by the glue): `callback` gets
     * each chunk of 16-bit mono samples; returning true aborts the synthesis.
     */
    synthesize(text: string, callback: (samples: Int16Array, events: unknown[]) => boolean): void;
  }
  export interface ESpeakNGModule {
    eSpeakNGWorker: new () => ESpeakNGWorker;
  }
  const createModule: (options?: { print?: (line: string) => void; printErr?: (line: string) => void }) => Promise<ESpeakNGModule>;
  export default createModule;
}
