import { useId, useRef, useState, type DragEvent } from "react";

/** Drop files here or pick them with the keyboard-reachable button. */
export function FileDrop({ label, accept, multiple, onFiles, disabled }: {
  label: string; accept?: string; multiple?: boolean; disabled?: boolean; onFiles: (files: File[]) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const [over, setOver] = useState(false);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (disabled) return;
    const files = Array.from(event.dataTransfer.files);
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  };
  return (
    <div
      className={`file-drop${over ? " file-drop-over" : ""}`}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <p>Drag and drop {multiple ? "files" : "a file"} here, or</p>
      <label htmlFor={id} className="button">{label}</label>
      <input
        id={id} ref={input} type="file" className="visually-hidden" accept={accept} multiple={multiple} disabled={disabled}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          if (files.length) onFiles(files);
          e.target.value = "";
        }}
      />
    </div>
  );
}
