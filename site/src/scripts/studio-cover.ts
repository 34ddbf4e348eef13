// The course editor's cover: upload (checked here, then by the server), preview. Without an
// upload the catalog shows the generated cover, which the preview shows too.
import { byId } from '../lib/dom';
import { enhanceForm, showFormStatus } from '../lib/forms';
import { href, tc } from '../lib/i18n-client';
import { imageProblem, uploadImage } from '../lib/upload';

export function setupCover(courseId: string, coverUrl: string | null | undefined): void {
  const preview = byId<HTMLImageElement>('cover-preview');
  const show = (url: string) => {
    preview.src = url;
    preview.hidden = false;
  };
  show(coverUrl || href(`/courses/${encodeURIComponent(courseId)}/cover.svg`));
  const form = byId<HTMLFormElement>('cover-form');
  const input = byId<HTMLInputElement>('cover-file');
  enhanceForm(form, {
    validate: () => {
      const file = input.files?.[0];
      const problem = file ? imageProblem(file) : null;
      return problem ? { cover: tc(problem) } : undefined;
    },
    submit: () => uploadImage(input.files![0]!, { purpose: 'course_cover', courseId }),
    onSuccess: (image) => {
      show(image.url);
      form.reset();
      showFormStatus(form, tc('studio.coverSaved'));
    },
  });
}
